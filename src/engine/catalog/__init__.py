"""Rule files: loading with line numbers, validation, and the validated catalog."""
