"""The core: records, store, queries, the log API client and sync. Never imports textual."""
