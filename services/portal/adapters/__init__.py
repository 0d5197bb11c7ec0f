"""What the portal talks to: the services' HTTP APIs, the provider, its session store."""
