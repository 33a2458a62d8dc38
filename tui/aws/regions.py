"""The AWS regions a role's credentials can be used in: those of the SSO region's partition.

Read from botocore's own data (`partitions.json`: each partition's regions with their names),
so the list grows with botocore, not with ssotui.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class AwsRegion:
    """A region and how AWS names it (e.g. "eu-west-1", "Europe (Ireland)")."""

    name: str
    description: str = ""


def _partitions_data() -> dict[str, Any]:
    """botocore's `partitions.json`, read as a file: importing botocore's loader costs ~70 ms,
    and `credential-process` with a region asks this on every call."""
    import importlib.util
    import json
    import os

    spec = importlib.util.find_spec("botocore")
    if spec is not None and spec.origin is not None:
        path = os.path.join(os.path.dirname(spec.origin), "data", "partitions.json")
        with contextlib.suppress(OSError, ValueError), open(path, encoding="utf-8") as file:
            data = json.load(file)
            if isinstance(data, dict):
                return data
    import botocore.loaders  # a botocore that keeps its data otherwise

    loaded: dict[str, Any] = botocore.loaders.create_loader().load_data("partitions")
    return loaded


@cache
def _partitions() -> tuple[tuple[re.Pattern[str], tuple[AwsRegion, ...]], ...]:
    data = _partitions_data()
    found: list[tuple[re.Pattern[str], tuple[AwsRegion, ...]]] = []
    for partition in data.get("partitions", ()):
        regions = tuple(
            AwsRegion(name, str(about.get("description", "")))
            for name, about in sorted(partition.get("regions", {}).items())
            if not name.endswith("-global")  # a pseudo-region for global endpoints
        )
        found.append((re.compile(partition.get("regionRegex", "^$")), regions))
    return tuple(found)


def partition_regions(region: str) -> tuple[AwsRegion, ...]:
    """The regions of the partition `region` belongs to, by name (commercial when unknown)."""
    partitions = _partitions()
    for _pattern, regions in partitions:
        if any(r.name == region for r in regions):
            return regions
    for pattern, regions in partitions:
        if pattern.match(region):
            return regions
    return partitions[0][1] if partitions else ()


def same_partition(region: str, other: str) -> bool:
    """Whether credentials issued in `other`'s partition work in `region` (by botocore's data;
    an unknown region counts as commercial, as above)."""
    return partition_regions(region) == partition_regions(other)
