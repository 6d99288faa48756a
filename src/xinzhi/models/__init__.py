"""Pure functions behind the widgets — numbers in, numbers out, no plotting; unit-tested."""
