"""Models of this app come with their issues; the app exists so the layout is complete."""
