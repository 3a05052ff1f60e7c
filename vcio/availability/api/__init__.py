"""The availability app's API: services, monitors, outages, SLA, windows, alert channels."""
