"""``ghela doctor``: is this Pi ready for the light? Each check ok, or the fix to make."""
