"""The portal's pages: routes, templates' context, forms."""
