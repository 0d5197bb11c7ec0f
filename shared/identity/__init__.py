"""Who is calling: access tokens of the configured OpenID Connect provider (or, in development
mode only, HS256 tokens), and the platform roles their claims map to."""
