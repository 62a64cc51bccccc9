"""The bundled demo press sites: our own articles in Kazakh and Russian, rendered in four outlet templates
with the boilerplate real sites carry, served on loopback for `searchapp demo` and the tests.

`content` loads and checks the articles, `outlets` holds the outlets and their URL schemes, `boilerplate`
and `templates` write the pages, `render` does feeds, sitemaps, robots.txt and HTTP validators, and `sites`
routes requests and runs the servers (`DemoSites`; `python -m searchapp.demo.sites` serves them by hand).
"""
