"""Reports computed from the graph as of a date: Shine-the-Light, GDPR access, RoPA, transfers, CCPA."""
