"""Small helpers the whole engine uses: atomic file writes and removal, Docker's time strings."""
