"""Cloud drivers: one typed interface over many clouds.

Plain Python with no Django import. The Django side reaches a cloud only through
`drivers.registry.get_driver(name).connect(info)` and the handler protocols in
`drivers.interface`; every failure surfaces as a `drivers.errors.DriverError`.
"""
