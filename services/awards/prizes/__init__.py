"""European eTwinning Prizes (R-PRZ-*): entries of EQL projects and winners."""
