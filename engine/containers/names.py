"""Names for containers the user did not name: "adjective_animal", Docker's shape with
word lists of our own."""
from __future__ import annotations

import os


ADJECTIVES = (
    "agile", "amber", "ancient", "bold", "brave", "bright", "brisk", "calm", "candid",
    "cheerful", "clever", "cosmic", "crisp", "curious", "daring", "dapper", "eager",
    "earnest", "electric", "fearless", "fierce", "friendly", "gentle", "gleeful", "golden",
    "graceful", "happy", "hardy", "humble", "jolly", "keen", "kind", "lively", "lucid",
    "lucky", "mellow", "merry", "mighty", "modest", "nimble", "noble", "patient", "plucky",
    "polite", "proud", "quick", "quiet", "radiant", "rapid", "serene", "sharp", "shiny",
    "silent", "sleepy", "snappy", "spry", "steady", "stoic", "sunny", "swift", "tidy",
    "tranquil", "trusty", "upbeat", "valiant", "vivid", "wandering", "wise", "witty", "zesty",
)

ANIMALS = (
    "albatross", "alpaca", "antelope", "armadillo", "badger", "beaver", "bison", "bobcat",
    "capybara", "caribou", "cheetah", "chinchilla", "cormorant", "coyote", "crane", "dingo",
    "dolphin", "dormouse", "eagle", "egret", "falcon", "ferret", "flamingo", "fox", "gazelle",
    "gecko", "gibbon", "heron", "hedgehog", "ibex", "ibis", "jackal", "jaguar", "kestrel",
    "kingfisher", "koala", "lemur", "leopard", "lynx", "magpie", "manatee", "marmot",
    "meerkat", "mongoose", "moose", "narwhal", "ocelot", "octopus", "orca", "osprey",
    "otter", "owl", "panda", "pangolin", "pelican", "penguin", "puffin", "quokka", "raccoon",
    "raven", "salamander", "seal", "sparrow", "squirrel", "stork", "tapir", "tern", "toucan",
    "walrus", "wombat", "wren", "yak", "zebra",
)


class _Urandom:
    """Just the choices names need, from os.urandom: importing `random` costs more than
    the whole of making a name."""

    @staticmethod
    def choice(seq):
        return seq[int.from_bytes(os.urandom(4), "big") % len(seq)]

    @staticmethod
    def randint(a: int, b: int) -> int:
        return a + int.from_bytes(os.urandom(4), "big") % (b - a + 1)


def generate(retry: int = 0, rng=None) -> str:
    r = rng or _Urandom
    name = f"{r.choice(ADJECTIVES)}_{r.choice(ANIMALS)}"
    if retry:
        name += str(r.randint(0, 9))
    return name
