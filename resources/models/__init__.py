"""Records of cloud resources and operations (resource, operation and inventory models)."""
