"""The bundled demo press sites: our own articles in Kazakh and Russian, rendered in four outlet templates
with the boilerplate real sites carry, served on loopback for `searchapp demo` and the tests."""
