"""Static files in production: WhiteNoise's compressed files with content hashes in their names."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def keep(pattern) -> bool:
        regex = pattern[0] if isinstance(pattern, tuple) else pattern
        return "sourceMappingURL" not in regex

    return tuple((glob, tuple(p for p in group if keep(p))) for glob, group in patterns)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The vendored libraries end with a `sourceMappingURL` comment naming a .map file the
    installation does not ship (static/vendor is copied from npm without them); Django would
    refuse to collect such a file, so those comments are left as they are."""

    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
