"""The asset app's pages: inventory, licences and the lifecycle overview."""
