"""The regions credentials can be used in: the SSO region's partition, from botocore's data."""

from __future__ import annotations

from tui.aws.regions import partition_regions


def _names(region: str) -> set[str]:
    return {r.name for r in partition_regions(region)}


def test_each_partition_lists_its_own_regions_and_no_pseudo_region() -> None:
    commercial = _names("eu-west-1")
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= commercial
    assert not commercial & {"cn-north-1", "us-gov-west-1", "aws-global"}
    assert _names("cn-northwest-1") == {"cn-north-1", "cn-northwest-1"}
    assert "us-gov-east-1" in _names("us-gov-west-1")
    assert not any(name.endswith("-global") for name in _names("us-gov-west-1"))


def test_regions_say_where_they_are() -> None:
    ireland = next(r for r in partition_regions("eu-west-1") if r.name == "eu-west-1")
    assert ireland.description == "Europe (Ireland)"


def test_a_region_botocore_does_not_know_yet_falls_in_by_its_name() -> None:
    assert "us-east-1" in _names("eu-south-9")  # a future commercial region
    assert "cn-north-1" in _names("cn-south-7")
