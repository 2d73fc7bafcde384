"""Build the optional C accelerator of the protobuf codec (metadata is in pyproject.toml).

The extension is optional: where it cannot be compiled, kclient runs the pure-Python
codec, which gives identical results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "kclient.serializers.protobuf._speedups",
            ["kclient/serializers/protobuf/_speedups.c",
             "kclient/serializers/protobuf/_json_event.c",
             "kclient/serializers/protobuf/_memo.c"],
            depends=["kclient/serializers/protobuf/_speedups.h"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
