"""One module per command of the `searchapp` console script, each with `run(args, paths) -> exit status`.

Modules are imported only when their command runs, so `searchapp --help` stays instant.
"""
