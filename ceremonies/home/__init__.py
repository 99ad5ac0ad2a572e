"""The Home tab: each person's own view of their ceremonies, assembled from the others'
read-only query ports, and published again only when it would otherwise be wrong."""
