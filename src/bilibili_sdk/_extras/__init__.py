"""Hand-written methods that generated namespaces extend (see `extras:` in api_spec)."""
