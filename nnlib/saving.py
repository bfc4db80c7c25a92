"""Saving and loading a network: nn.save(model, path) and nn.load(path).

The file is a NumPy .npz archive (a zip of .npy arrays), written with NumPy only
and read with np.load(path, allow_pickle=False): it holds plain arrays, never
pickled Python objects, so opening a file cannot run code. Format version 1 holds:

    "nnlib_format"   the text "nnlib model", the marker of a file written by nn.save
    "nnlib_version"  the version of the format, an integer: 1
    "architecture"   JSON text describing the network: each layer's type, the
                     arguments of its constructor (Layer.config()) and its mode, e.g.
                     {"type": "Sequential", "layers": [
                        {"type": "Linear", "config": {"in_features": 2, "out_features": 3,
                                                      "dtype": "float32"}, "training": true},
                        {"type": "ReLU", "config": {}, "training": true}, ...]}
                     (a Sequential inside a Sequential is described the same way, nested)
    "info"           JSON text: the notes given as save(..., info={...}); {} by default
    "layers.0.W", "layers.0.b", ...
                     every parameter and buffer (BatchNorm's running_mean and
                     running_var), in its own dtype: "layers.<i>." for the layer's
                     place in the Sequential ("layers.<i>.layers.<j>." inside a nested
                     one), then its name in param_names or buffer_names. A single
                     layer saved on its own: "W", "b".

The text arrays are 0-d NumPy unicode arrays (dtype "<U..."), which np.load reads
without pickles. Only nnlib's own layers can be saved: Linear, ReLU, Sigmoid, Tanh,
LeakyReLU, Softmax, Dropout, BatchNorm, Conv2D, MaxPool2D, Flatten, and Sequential.
"""
import json
import os
from pathlib import Path

import numpy as np

from .conv import Conv2D, Flatten, MaxPool2D
from .layers import BatchNorm, Dropout, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .model import Sequential

FORMAT = "nnlib model"
VERSION = 1
HEADER = ("nnlib_format", "nnlib_version", "architecture", "info")
LAYER_TYPES = {cls.__name__: cls for cls in (Linear, ReLU, Sigmoid, Tanh, LeakyReLU, Softmax, Dropout, BatchNorm,
                                             Conv2D, MaxPool2D, Flatten)}
RANDOM_WEIGHTS = (Linear, Conv2D)  # their constructors draw random weights (from an rng), which loading overwrites


class ModelFileError(ValueError):
    """A file that nn.load refuses: not written by nn.save, damaged, or of another architecture."""


def describe(model, who="nn.save"):
    """The architecture of `model` (a Sequential or one layer) as plain data, the
    "architecture" that nn.save stores as JSON (see the module's docstring)."""
    if type(model) is Sequential:
        return {"type": "Sequential", "layers": [describe(layer, who) for layer in model.layers]}
    name = type(model).__name__
    if LAYER_TYPES.get(name) is not type(model):
        raise TypeError(f"{who}: cannot describe {model!r} (a {type(model).__module__}.{type(model).__qualname__}): "
                        f"only nnlib's own layers and Sequential can be saved: {', '.join(LAYER_TYPES)}.")
    return {"type": name, "config": model.config(), "training": bool(model.training)}


def save(model, path, info=None):
    """Write `model` (a Sequential or one layer) to `path` as an .npz file; returns the path.

    The file holds the architecture as JSON text, every parameter and buffer
    (bit for bit, in its own dtype, float32 or float64) and a format marker and
    version (the format: this module's docstring). Each layer's mode (training
    or evaluation) is saved too, so nn.load gives the network back as it was:
    call model.eval() before saving a network meant for predictions.
    info: a dict of notes to keep with it (numbers, text, lists), e.g.
    {"test_accuracy": 0.99}; read back with nn.saved_info(path).
    The file is written whole or not at all: into a temporary file beside it,
    renamed to `path` once complete. The path is used as given (no ".npz" added).
    """
    path = Path(path)
    arrays = {
        "nnlib_format": np.array(FORMAT),
        "nnlib_version": np.array(VERSION),
        "architecture": np.array(json.dumps(describe(model))),
        "info": np.array(json.dumps({} if info is None else info, default=_plain)),
    }
    arrays.update(_named_arrays(model))
    temporary = path.with_name(path.name + ".partial")
    try:
        with open(temporary, "wb") as file:
            np.savez_compressed(file, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load(path, into=None):
    """The network that nn.save wrote to `path`, rebuilt from its architecture.

    Parameters and buffers come back bit-identical and in their saved dtype;
    each layer is in the mode (training or evaluation) it was saved in. The
    file is read with np.load(path, allow_pickle=False) only. Building the
    layers draws nothing from nn.seed's generator; a loaded Dropout draws its
    masks from it (a Dropout's own rng is not saved).

    into: a model of the same architecture (same layer types and arguments,
    modes aside) to load into instead of a new one: its parameters and buffers
    are overwritten in place (an optimiser holding them keeps working), its
    modes are left alone; returns `into`.

    Raises ModelFileError (a ValueError) naming the file and what is wrong: an
    empty, truncated or corrupt file; a file not written by nn.save (e.g. a
    plain np.savez); an unknown layer type; an array missing, left over, or of
    the wrong shape or dtype for the architecture; an architecture that differs
    from `into`'s. Everything is checked before anything is copied, so a refused
    file changes nothing.
    """
    arrays = _read(path)
    description, _ = _header(arrays, path)
    model = _build(description, path)
    expected = dict(_named_arrays(model))
    _check_arrays(arrays, expected, path)
    if into is not None:
        difference = _difference(describe(into, "nn.load"), description)
        if difference:
            raise ModelFileError(f"nn.load: {path} holds another architecture than the model given as into: "
                                 f"{difference}. Nothing was loaded.")
        expected = dict(_named_arrays(into))
    for key, value in expected.items():
        value[...] = arrays[key]  # same shape and dtype, checked above: an exact copy
    return model if into is None else into


def saved_info(path):
    """The info dict given to nn.save when it wrote `path` ({} if none)."""
    return _header(_read(path), path)[1]


# ---------------------------------------------------------------- the steps of load

def _plain(value):
    """A NumPy number as a Python one, for json.dumps."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"nn.save: info must hold numbers, text, lists and dicts, got {value!r}.")


def _named_arrays(model, prefix=""):
    """(key, array) for every parameter and buffer of model, keyed as in the file."""
    if isinstance(model, Sequential):
        for i, layer in enumerate(model.layers):
            yield from _named_arrays(layer, f"{prefix}layers.{i}.")
    else:
        for name in model.param_names + model.buffer_names:
            yield prefix + name, getattr(model, name)


def _read(path):
    """Every array in the .npz file at path, read with allow_pickle=False."""
    with open(path, "rb") as file:  # a missing file: Python's own FileNotFoundError, which names it
        start = file.read(4)
        if not start:
            raise ModelFileError(f"nn.load: {path} is empty (0 bytes): not a model written by nn.save.")
        if start != b"PK\x03\x04":  # every .npz file is a zip archive, which starts with these bytes
            what = "a single .npy array" if start == b"\x93NUM" else f"not an .npz archive (it starts with {start!r})"
            raise ModelFileError(f"nn.load: {path} is {what}: not a model written by nn.save.")
        file.seek(0)
        try:  # np.load is given the open file, which this function closes whatever happens
            with np.load(file, allow_pickle=False) as archive:
                return {key: archive[key] for key in archive.files}  # reading checks every array's CRC
        except ValueError as error:
            if "pickle" in str(error) or "Object arrays" in str(error):
                raise ModelFileError(f"nn.load: {path} holds pickled Python objects, which nn.load never reads "
                                     "(allow_pickle=False): not a model written by nn.save.") from None
            problem = error
        except Exception as error:  # zipfile.BadZipFile, zlib.error, EOFError, ...: whatever a damaged archive raises
            problem = error
    raise ModelFileError(f"nn.load: {path} is truncated or corrupt ({type(problem).__name__}: {problem}); "
                         "copy it again, or save the model again with nn.save.")


def _text(arrays, key, path):
    """The JSON in text array `key`, decoded."""
    array = arrays.get(key)
    if array is None or array.shape != () or array.dtype.kind != "U":
        raise ModelFileError(f"nn.load: {path} has no {key!r} text, which every file written by nn.save holds.")
    try:
        return json.loads(str(array))
    except ValueError as error:
        raise ModelFileError(f"nn.load: {path}: its {key!r} is not valid JSON ({error}).") from None


def _header(arrays, path):
    """(architecture, info) after checking the format marker and version."""
    marker = arrays.get("nnlib_format")
    if marker is None or marker.shape != () or marker.dtype.kind != "U" or str(marker) != FORMAT:
        names = sorted(arrays)
        shown = ", ".join(names[:6]) + (f", ... ({len(names)} in all)" if len(names) > 6 else "")
        raise ModelFileError(
            f"nn.load: {path} was not written by nn.save: it has no nnlib_format marker "
            f"(its arrays: {shown or 'none'}). Bare arrays (np.savez) do not say which network they belong to.")
    version = arrays.get("nnlib_version")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ModelFileError(f"nn.load: {path} has no nnlib_version (an integer).")
    if not 1 <= int(version) <= VERSION:
        raise ModelFileError(f"nn.load: {path} is in format version {int(version)}; this nnlib reads version {VERSION}"
                             + (" (the file is from a newer nnlib)." if int(version) > VERSION else "."))
    return _text(arrays, "architecture", path), _text(arrays, "info", path)


def _build(description, path, prefix=""):
    """A new model (random weights, from a generator of its own) from its description."""
    where = prefix.rstrip(".") or "the model"
    kind = description.get("type") if isinstance(description, dict) else None
    if kind == "Sequential":
        layers = description.get("layers")
        if not isinstance(layers, list) or not layers:
            raise ModelFileError(f"nn.load: {path}: {where} is a Sequential without a list of layers.")
        return Sequential([_build(layer, path, f"{prefix}layers.{i}.") for i, layer in enumerate(layers)])
    if kind not in LAYER_TYPES:
        raise ModelFileError(f"nn.load: {path}: {where} is of an unknown layer type {kind!r}; nn.load knows "
                             f"Sequential, {', '.join(LAYER_TYPES)}.")
    cls, config, training = LAYER_TYPES[kind], description.get("config"), description.get("training")
    if not isinstance(config, dict) or not isinstance(training, bool):
        raise ModelFileError(f"nn.load: {path}: {where} ({kind}) needs a config dict and a training flag "
                             f"(true or false), got {config!r} and {training!r}.")
    if "dtype" in config and config["dtype"] not in ("float16", "float32", "float64"):
        raise ModelFileError(f"nn.load: {path}: {where} ({kind}) has dtype {config['dtype']!r}; "
                             "a layer's dtype is float16, float32 or float64.")
    arguments = dict(config, rng=np.random.default_rng(0)) if cls in RANDOM_WEIGHTS else config
    try:
        layer = cls(**arguments)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"nn.load: {path}: {where} is {kind} with arguments {config}, "
                             f"which do not build one: {error}") from None
    layer.training = training
    return layer


def _check_arrays(arrays, expected, path):
    """Every array the architecture needs is there, of its shape and dtype, and no other."""
    for key, value in expected.items():
        if key not in arrays:
            raise ModelFileError(f"nn.load: {path} has no array {key!r}, which its architecture needs "
                                 f"(shape {value.shape}, {value.dtype}).")
        saved = arrays[key]
        if saved.shape != value.shape or saved.dtype != value.dtype:
            raise ModelFileError(f"nn.load: {path}: array {key!r} has shape {saved.shape} and dtype {saved.dtype}, "
                                 f"but its architecture needs shape {value.shape} and dtype {value.dtype}.")
    left_over = sorted(set(arrays) - set(expected) - set(HEADER))
    if left_over:
        raise ModelFileError(f"nn.load: {path} holds arrays that its architecture has no place for: "
                             f"{', '.join(left_over)}.")


def _difference(mine, theirs, prefix=""):
    """Where two architectures differ (modes aside), in words; "" when they are the same."""
    where = prefix.rstrip(".") or "the model"
    if mine["type"] != theirs["type"]:
        return f"{where} is a {theirs['type']} in the file but a {mine['type']} in the model"
    if mine["type"] == "Sequential":
        if len(mine["layers"]) != len(theirs["layers"]):
            return f"{where} has {len(theirs['layers'])} layers in the file but {len(mine['layers'])} in the model"
        for i, (a, b) in enumerate(zip(mine["layers"], theirs["layers"])):
            difference = _difference(a, b, f"{prefix}layers.{i}.")
            if difference:
                return difference
        return ""
    if json.loads(json.dumps(mine["config"])) != theirs["config"]:  # through JSON, as the file's was: tuples as lists
        return f"{where} is {mine['type']}({_arguments(theirs['config'])}) in the file but " \
               f"{mine['type']}({_arguments(mine['config'])}) in the model"
    return ""


def _arguments(config):
    return ", ".join(f"{name}={value!r}" for name, value in config.items())
