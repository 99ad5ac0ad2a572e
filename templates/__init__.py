"""The Jinja2 templates bot.rendering renders, a package so that the wheel carries them."""
