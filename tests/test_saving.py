"""nn.save and nn.load: every layer type round-trips bit for bit (parameters, buffers,
modes, dtype), and every kind of bad file is refused with a message that names it."""
import json

import numpy as np
import pytest

import nnlib as nn

RNG = np.random.default_rng(3)


def every_layer(dtype=np.float32):
    """A network with every layer type, a nested Sequential among them, on (batch, 2, 6, 6) images."""
    rng = np.random.default_rng(0)
    return nn.Sequential([
        nn.Conv2D(2, 3, (3, 2), stride=(1, 2), padding=(1, 0), rng=rng, dtype=dtype), nn.LeakyReLU(),
        nn.MaxPool2D(2, stride=1),
        nn.Sequential([nn.Flatten(), nn.Linear(3 * 5 * 2, 8, rng=rng, dtype=dtype), nn.Tanh()]),
        nn.BatchNorm(8, momentum=0.3, eps=1e-4, dtype=dtype), nn.ReLU(), nn.Dropout(0.4, rng=rng),
        nn.Linear(8, 5, rng=rng, dtype=dtype), nn.Sigmoid(), nn.Linear(5, 4, rng=rng, dtype=dtype), nn.Softmax(),
    ])


def trained_a_little(model, dtype):
    """Nonzero biases and BatchNorm statistics: a few training forwards, and every array nudged."""
    x = RNG.random((6, 2, 6, 6)).astype(dtype)
    for _ in range(3):
        model.forward(x)
    for value, _ in model.parameters():
        value += RNG.standard_normal(value.shape).astype(dtype) * 0.1
    return x


def arrays_of(model):
    """Every parameter and buffer of model, in order."""
    layers = model.leaf_layers() if isinstance(model, nn.Sequential) else [model]
    return [value for layer in layers for value in [v for v, _ in layer.parameters()] + [b for _, b in layer.buffers()]]


def assert_same_arrays(a, b):
    arrays_a, arrays_b = arrays_of(a), arrays_of(b)
    assert len(arrays_a) == len(arrays_b) > 0
    for x, y in zip(arrays_a, arrays_b):
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()  # bit for bit


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layer_type_round_trips_bit_for_bit_with_equal_predictions(tmp_path, dtype):
    model = every_layer(dtype)
    x = trained_a_little(model, dtype)
    model.eval()
    path = nn.save(model, tmp_path / "model.npz")
    loaded = nn.load(path)
    assert repr(loaded) == repr(model)
    assert [type(layer) for layer in loaded.leaf_layers()] == [type(layer) for layer in model.leaf_layers()]
    assert_same_arrays(model, loaded)
    batchnorm = loaded.layers[4]
    assert batchnorm.running_mean.dtype == dtype and np.any(batchnorm.running_mean != 0)
    assert (batchnorm.momentum, batchnorm.eps) == (0.3, 1e-4) and loaded.layers[6].p == 0.4
    conv = loaded.layers[0]
    assert (conv.kernel_size, conv.stride, conv.padding) == ((3, 2), (1, 2), (1, 0))
    assert loaded.layers[2].stride == (1, 1)
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))
    assert loaded.forward(x).dtype == dtype
    assert not any(layer.training for layer in loaded.leaf_layers())  # saved in evaluation mode


def test_each_layer_saved_on_its_own_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    layers = [nn.Linear(3, 2, rng=rng, dtype=np.float64), nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(),
              nn.Softmax(), nn.Dropout(0.3), nn.BatchNorm(3), nn.Conv2D(1, 2, 3, rng=rng), nn.MaxPool2D(2),
              nn.Flatten()]
    for layer in layers:
        path = nn.save(layer, tmp_path / f"{type(layer).__name__}.npz")
        loaded = nn.load(path)
        assert type(loaded) is type(layer) and repr(loaded) == repr(layer) and loaded.config() == layer.config()
        saved_arrays, loaded_arrays = arrays_of(layer), arrays_of(loaded)
        assert len(saved_arrays) == len(loaded_arrays)
        assert all(a.dtype == b.dtype and a.tobytes() == b.tobytes() for a, b in zip(saved_arrays, loaded_arrays))
    with np.load(tmp_path / "Linear.npz", allow_pickle=False) as saved:
        assert {"W", "b", "nnlib_format", "nnlib_version", "architecture", "info"} == set(saved.files)


def test_modes_are_saved_layer_by_layer(tmp_path):
    model = every_layer()
    trained_a_little(model, np.float32)
    model.train()
    model.layers[6].eval()  # the Dropout alone in evaluation mode
    loaded = nn.load(nn.save(model, tmp_path / "m.npz"))
    assert [layer.training for layer in loaded.leaf_layers()] == [layer.training for layer in model.leaf_layers()]
    assert loaded.layers[4].training and not loaded.layers[6].training


def test_the_file_holds_plain_arrays_a_marker_a_version_and_the_architecture_as_json(tmp_path):
    model = every_layer()
    nn.save(model, tmp_path / "m.npz", info={"test_accuracy": np.float64(0.5), "epochs": 3})
    with np.load(tmp_path / "m.npz", allow_pickle=False) as saved:
        assert str(saved["nnlib_format"]) == "nnlib model" and int(saved["nnlib_version"]) == 1
        assert all(saved[key].dtype != object for key in saved.files)
        architecture = json.loads(str(saved["architecture"]))
        assert "layers.3.layers.1.W" in saved.files and "layers.4.running_var" in saved.files
    assert architecture["type"] == "Sequential" and architecture["layers"][3]["type"] == "Sequential"
    assert architecture["layers"][0] == {"type": "Conv2D", "training": True, "config": {
        "in_channels": 2, "out_channels": 3, "kernel_size": [3, 2], "stride": [1, 2], "padding": [1, 0],
        "dtype": "float32"}}
    assert nn.saved_info(tmp_path / "m.npz") == {"test_accuracy": 0.5, "epochs": 3}
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary file left beside it


def test_loading_leaves_the_library_generator_alone(tmp_path):
    path = nn.save(every_layer(), tmp_path / "m.npz")
    nn.seed(5)
    expected = nn.generator().random()
    nn.seed(5)
    nn.load(path)
    assert nn.generator().random() == expected


def test_load_into_overwrites_the_models_arrays_in_place(tmp_path):
    model = every_layer()
    trained_a_little(model, np.float32)
    path = nn.save(model, tmp_path / "m.npz")
    other = every_layer().eval()
    other.layers[0].W[...] = 0
    before = arrays_of(other)
    assert nn.load(path, into=other) is other
    assert all(a is b for a, b in zip(arrays_of(other), before))  # the same arrays: an optimiser keeps them
    assert_same_arrays(model, other)
    assert not any(layer.training for layer in other.leaf_layers())  # its own modes kept


def test_save_refuses_a_layer_it_cannot_describe(tmp_path):
    class Double(nn.Layer):
        def forward(self, x):
            return 2 * x

    with pytest.raises(TypeError, match="cannot describe .*Double.*only nnlib's own layers"):
        nn.save(nn.Sequential([nn.Linear(2, 2), Double()]), tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- bad files are refused

@pytest.fixture
def saved(tmp_path):
    model = every_layer()
    trained_a_little(model, np.float32)
    return nn.save(model, tmp_path / "good.npz")


def altered(source, change):
    """A copy of the .npz at source, its arrays passed through change(arrays) first."""
    with np.load(source, allow_pickle=False) as f:
        arrays = {key: f[key] for key in f.files}
    change(arrays)
    path = source.with_name("altered.npz")
    np.savez(path, **arrays)
    return path


def edit_architecture(edit):
    def change(arrays):
        architecture = json.loads(str(arrays["architecture"]))
        edit(architecture)
        arrays["architecture"] = np.array(json.dumps(architecture))
    return change


def refused(path, *words, **kwargs):
    with pytest.raises(nn.ModelFileError) as error:
        nn.load(path, **kwargs)
    message = str(error.value)
    assert str(path) in message, message
    for word in words:
        assert word in message, message
    return message


def test_a_truncated_file_is_refused(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[:len(data) // 2])
    refused(saved, "truncated or corrupt")


def test_a_corrupt_file_is_refused(saved):
    data = bytearray(saved.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    saved.write_bytes(bytes(data))
    refused(saved, "truncated or corrupt")


def test_an_empty_file_or_another_kind_of_file_is_refused(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    refused(tmp_path / "empty.npz", "empty")
    (tmp_path / "text.npz").write_text("W = [[1, 2]]")
    refused(tmp_path / "text.npz", "not an .npz archive")
    np.save(tmp_path / "one.npy", np.zeros(3))
    refused(tmp_path / "one.npy", "single .npy array")


def test_a_plain_savez_file_is_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", **{"layers.0.W": np.zeros((2, 2)), "layers.0.b": np.zeros(2)})
    refused(tmp_path / "plain.npz", "not written by nn.save", "nnlib_format", "layers.0.W")


def test_a_file_with_pickled_objects_is_refused_unread(tmp_path):
    objects = np.empty(1, dtype=object)
    objects[0] = {"W": 1}
    np.savez(tmp_path / "pickled.npz", nnlib_format=np.array("nnlib model"), objects=objects)
    refused(tmp_path / "pickled.npz", "pickled", "allow_pickle=False")


def test_a_newer_format_version_is_refused(saved):
    path = altered(saved, lambda arrays: arrays.update(nnlib_version=np.array(2)))
    refused(path, "format version 2", "newer nnlib")


def test_an_architecture_that_is_not_json_is_refused(saved):
    path = altered(saved, lambda arrays: arrays.update(architecture=np.array("{Sequential: [")))
    refused(path, "architecture", "not valid JSON")


def test_an_unknown_layer_type_is_refused(saved):
    path = altered(saved, edit_architecture(lambda a: a["layers"][3]["layers"][0].update(type="Flatten3D")))
    refused(path, "layers.3.layers.0", "unknown layer type 'Flatten3D'", "Conv2D")


def test_arguments_a_layer_does_not_take_are_refused(saved):
    path = altered(saved, edit_architecture(lambda a: a["layers"][6]["config"].update(p=1.5)))
    refused(path, "layers.6", "Dropout", "do not build one", "p (the probability of dropping)")
    path = altered(saved, edit_architecture(lambda a: a["layers"][7]["config"].update(dtype="int64")))
    refused(path, "layers.7", "dtype 'int64'")


def test_a_missing_array_is_refused(saved):
    path = altered(saved, lambda arrays: arrays.pop("layers.4.running_var"))
    refused(path, "no array 'layers.4.running_var'", "(8,)")


def test_an_array_of_the_wrong_shape_or_dtype_is_refused(saved):
    path = altered(saved, lambda arrays: arrays.update({"layers.7.W": np.zeros((5, 8), np.float32)}))
    refused(path, "'layers.7.W'", "shape (5, 8)", "needs shape (8, 5)")
    path = altered(saved, lambda arrays: arrays.update({"layers.7.b": arrays["layers.7.b"].astype(np.float64)}))
    refused(path, "'layers.7.b'", "dtype float64", "dtype float32")


def test_an_array_the_architecture_has_no_place_for_is_refused(saved):
    path = altered(saved, lambda arrays: arrays.update({"layers.5.W": np.zeros(3)}))
    refused(path, "no place for", "layers.5.W")


def test_loading_into_a_model_of_another_architecture_is_refused_and_changes_nothing(saved):
    rng = np.random.default_rng(2)
    wider = every_layer()
    wider.layers[7] = nn.Linear(8, 6, rng=rng)
    wider.layers[9] = nn.Linear(6, 4, rng=rng)
    before = [value.copy() for value in arrays_of(wider)]
    refused(saved, "another architecture", "layers.7", "out_features=5", "out_features=6", into=wider)
    assert all(np.array_equal(a, b) for a, b in zip(arrays_of(wider), before))
    shorter = nn.Sequential(every_layer().layers[:-1])
    refused(saved, "11 layers in the file but 10", into=shorter)
    float64 = every_layer(np.float64)
    refused(saved, "'float32'", "'float64'", into=float64)


def test_a_bad_array_late_in_the_file_leaves_the_into_model_unchanged(saved):
    path = altered(saved, lambda arrays: arrays.update({"layers.9.b": np.zeros(7, np.float32)}))
    model = every_layer()
    before = [value.copy() for value in arrays_of(model)]
    refused(path, "'layers.9.b'", into=model)
    assert all(np.array_equal(a, b) for a, b in zip(arrays_of(model), before))


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        nn.load(tmp_path / "nothing.npz")
