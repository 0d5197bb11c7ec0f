"""The portal: the web application in which teachers and NSO/CSS staff and operators work.

A backend-for-frontend: it signs people in with OpenID Connect, keeps their tokens on the
server, and calls the four services' HTTP APIs with the signed-in person's access token. It
owns no domain data."""
