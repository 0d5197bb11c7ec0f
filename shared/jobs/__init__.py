"""Long work as resumable jobs: data in the service's own database, claimed under a lease by
any replica's worker and run in checkpointed steps (store.py, runner.py, http.py)."""
