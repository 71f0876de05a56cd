"""The web app: dashboard, unit forms through signed links, admin pages, downloads."""
