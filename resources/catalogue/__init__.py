"""What clouds offer before anything is made: regions and zones, images, specs and prices.

`meta` reads one connection's catalogue through a shared cache; `comparison` puts many
connections' side by side for the catalogue pages.
"""
