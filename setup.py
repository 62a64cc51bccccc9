"""Package layout: templates/ and static/ sit at the top of the repo (the design card) but ship inside the
searchapp package, which pyproject.toml alone cannot say together with package discovery."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["crawler*", "index*", "searchapp*", "bench*"]),
        "searchapp.templates",
        "searchapp.static",
    ],
    package_dir={"searchapp.templates": "templates", "searchapp.static": "static"},
)
