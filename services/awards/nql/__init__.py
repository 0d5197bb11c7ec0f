"""National Quality Label (R-NQL-*): applications, the rubric, the decision."""
