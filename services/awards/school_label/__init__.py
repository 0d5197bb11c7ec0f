"""eTwinning School Label (R-SCH-*): eligibility runs, applications, decisions."""
