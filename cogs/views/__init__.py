"""Interactive views (buttons): what a click does. What they show is drawn by bot.rendering."""
