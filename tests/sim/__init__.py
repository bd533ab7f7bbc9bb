"""The simulator's tests: realism, paging, faults and its live server."""
