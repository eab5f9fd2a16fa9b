"""AlertLight: drives the warning light's relay through gpiozero and never decides when."""
