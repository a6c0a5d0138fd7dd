"""The JSON API, version 1, and its OpenAPI 3.1 document."""
