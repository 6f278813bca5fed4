"""Writes the ONNX models the onnx tests run, built with the onnx Python package (python3-onnx).

    make_fixtures.py OUT_DIR

yolo_rows.onnx   input [1, 3, 64, 64] -> [1, 8, 7]: fixed YOLO-style rows (cx, cy, w, h, obj, 2 classes)
yolo_cols.onnx   the same boxes as [1, 6, 8] columns (cx, cy, w, h, 2 classes; score = obj * class)
identity.onnx    input [1, 3, H, W] (free H, W) -> the same tensor through a 1x1 convolution
rank2.onnx       input [1, 10] -> Relu (an input the onnx stage refuses)
resnet.onnx      ResNet-style classifier, input [N, 3, 32, 32] -> 5 logits: conv-BN-ReLU stem, a
                 residual block (Add), a grouped dilated conv, max pool, nearest Resize x2 + Concat,
                 global pool and a flatten written as shape arithmetic (Shape, Gather, Unsqueeze,
                 Concat, Reshape), Gemm
mobilenetv3.onnx MobileNetV3-style block (HardSwish, squeeze-excitation with HardSigmoid and a
                 broadcasting Mul): ops the importer does not have
Every file passes onnx.checker.check_model(full_check=True).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Rows: cx, cy, w, h (64x64 input pixels), objectness, class 0, class 1.
BOXES = np.array([
    [20, 20, 10, 10, 0.9, 0.9, 0.1],   # class 0, score 0.81
    [21, 20, 10, 10, 0.8, 0.9, 0.1],   # overlaps the first: suppressed
    [45, 40, 12, 20, 0.8, 0.2, 0.95],  # class 1, score 0.76
    [10, 50, 8, 8, 0.1, 0.9, 0.1],     # score 0.09: below the threshold
    [50, 12, 6, 6, 0.5, 0.1, 0.6],     # class 1, score 0.3
    [0, 0, 0, 0, 0.0, 0.0, 0.0],
    [0, 0, 0, 0, 0.0, 0.0, 0.0],
    [0, 0, 0, 0, 0.0, 0.0, 0.0],
], dtype=np.float32)


def save(model, path):
    model.opset_import[0].version = 13
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def constant_output(name, values, shape):
    """input [1, 3, 64, 64] -> GlobalAveragePool -> Flatten -> Gemm (zero weights, bias = values) -> Reshape.
    (OpenCV 4.6 reads Gemm with a constant weight only as transB = 1.)"""
    flat = values.reshape(-1).astype(np.float32)
    inits = [
        numpy_helper.from_array(np.zeros((flat.size, 3), np.float32), "w"),
        numpy_helper.from_array(flat, "b"),
        numpy_helper.from_array(np.array(shape, np.int64), "shape"),
    ]
    nodes = [
        helper.make_node("GlobalAveragePool", ["input"], ["pooled"], name="pool"),
        helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "w", "b"], ["rows"], name="gemm", transB=1),
        helper.make_node("Reshape", ["rows", "shape"], ["output"], name="reshape"),
    ]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 64, 64])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, producer_name="cvpipe-tests")
    helper.set_model_props(model, {"class_names": '["cat","dog"]'})
    return model


def main(out):
    os.makedirs(out, exist_ok=True)
    save(constant_output("yolo_rows", BOXES, [1, 8, 7]), os.path.join(out, "yolo_rows.onnx"))
    cols = np.concatenate([BOXES[:, :4], BOXES[:, 5:] * BOXES[:, 4:5]], axis=1).T.copy()  # [6, 8]
    save(constant_output("yolo_cols", cols, [1, 6, 8]), os.path.join(out, "yolo_cols.onnx"))

    eye = np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "w"], ["output"], name="conv", kernel_shape=[1, 1])], "identity",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "height", "width"])],
        [numpy_helper.from_array(eye, "w")])
    save(helper.make_model(graph, producer_name="cvpipe-tests"), os.path.join(out, "identity.onnx"))

    graph = helper.make_graph(
        [helper.make_node("Relu", ["input"], ["output"], name="relu")], "rank2",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 10])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 10])])
    save(helper.make_model(graph, producer_name="cvpipe-tests"), os.path.join(out, "rank2.onnx"))
    resnet(os.path.join(out, "resnet.onnx"))
    mobilenetv3(os.path.join(out, "mobilenetv3.onnx"))


def conv(name, x, cin, cout, k, rng, stride=1, pad=0, group=1, dilation=1, bias=True):
    w = (rng.standard_normal((cout, cin // group, k, k)) * np.sqrt(2.0 / (cin // group * k * k))).astype(np.float32)
    inits = [numpy_helper.from_array(w, name + ".w")]
    ins = [x, name + ".w"]
    if bias:
        inits.append(numpy_helper.from_array((rng.standard_normal(cout) * 0.1).astype(np.float32), name + ".b"))
        ins.append(name + ".b")
    node = helper.make_node("Conv", ins, [name], name=name, kernel_shape=[k, k], strides=[stride, stride],
                            pads=[pad] * 4, group=group, dilations=[dilation, dilation])
    return [node], inits


def bn(name, x, c, rng):
    inits = [numpy_helper.from_array((1 + 0.1 * rng.standard_normal(c)).astype(np.float32), name + ".scale"),
             numpy_helper.from_array((0.1 * rng.standard_normal(c)).astype(np.float32), name + ".bias"),
             numpy_helper.from_array((0.1 * rng.standard_normal(c)).astype(np.float32), name + ".mean"),
             numpy_helper.from_array((1 + 0.2 * rng.random(c)).astype(np.float32), name + ".var")]
    node = helper.make_node("BatchNormalization", [x, name + ".scale", name + ".bias", name + ".mean", name + ".var"],
                            [name], name=name, epsilon=1e-5)
    return [node], inits


def resnet(path):
    rng = np.random.default_rng(0)
    nodes, inits = [], []

    def add(parts):
        nodes.extend(parts[0])
        inits.extend(parts[1])

    add(conv("stem_conv", "input", 3, 16, 3, rng, pad=1, bias=False))
    add(bn("stem_bn", "stem_conv", 16, rng))
    nodes.append(helper.make_node("Relu", ["stem_bn"], ["stem"], name="stem_relu"))
    add(conv("block_conv1", "stem", 16, 16, 3, rng, pad=1, bias=False))
    add(bn("block_bn1", "block_conv1", 16, rng))
    nodes.append(helper.make_node("Relu", ["block_bn1"], ["block_r1"], name="block_relu1"))
    add(conv("block_conv2", "block_r1", 16, 16, 3, rng, pad=1, bias=False))
    add(bn("block_bn2", "block_conv2", 16, rng))
    nodes.append(helper.make_node("Add", ["block_bn2", "stem"], ["block_sum"], name="block_add"))
    nodes.append(helper.make_node("Relu", ["block_sum"], ["block"], name="block_relu2"))
    add(conv("grouped", "block", 16, 32, 3, rng, stride=2, pad=2, group=4, dilation=2))
    nodes.append(helper.make_node("LeakyRelu", ["grouped"], ["grouped_act"], name="grouped_lrelu", alpha=0.1))
    nodes.append(helper.make_node("MaxPool", ["grouped_act"], ["pooled"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "up_scales"))
    nodes.append(helper.make_node("Resize", ["pooled", "", "up_scales"], ["up"], name="up", mode="nearest",
                                  coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
    nodes.append(helper.make_node("Concat", ["up", "grouped_act"], ["fused"], name="fuse", axis=1))
    nodes.append(helper.make_node("GlobalAveragePool", ["fused"], ["gap"], name="gap"))
    nodes.append(helper.make_node("Shape", ["gap"], ["gap_shape"], name="shape"))
    inits.append(numpy_helper.from_array(np.array(0, np.int64), "zero"))
    inits.append(numpy_helper.from_array(np.array([-1], np.int64), "minus_one"))
    nodes.append(helper.make_node("Gather", ["gap_shape", "zero"], ["batch"], name="gather", axis=0))
    inits.append(numpy_helper.from_array(np.array([0], np.int64), "axes0"))
    nodes.append(helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="unsqueeze"))
    nodes.append(helper.make_node("Concat", ["batch1", "minus_one"], ["flat_shape"], name="flat_shape", axis=0))
    nodes.append(helper.make_node("Reshape", ["gap", "flat_shape"], ["flat"], name="flatten"))
    nodes.append(helper.make_node("Dropout", ["flat"], ["dropped"], name="dropout"))
    inits.append(numpy_helper.from_array((rng.standard_normal((5, 64)) * 0.2).astype(np.float32), "fc.w"))
    inits.append(numpy_helper.from_array((rng.standard_normal(5) * 0.1).astype(np.float32), "fc.b"))
    nodes.append(helper.make_node("Gemm", ["dropped", "fc.w", "fc.b"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(nodes, "resnet_style",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 5])], inits)
    model = helper.make_model(graph, producer_name="cvpipe-tests")
    helper.set_model_props(model, {"class_names": '["a","b","c","d","e"]'})
    save(model, path)


def mobilenetv3(path):
    rng = np.random.default_rng(1)
    nodes, inits = [], []
    parts = conv("expand", "input", 3, 16, 1, rng)
    nodes += parts[0]
    inits += parts[1]
    nodes.append(helper.make_node("HardSwish", ["expand"], ["hs"], name="expand_hswish"))
    parts = conv("depthwise", "hs", 16, 16, 3, rng, pad=1, group=16)
    nodes += parts[0]
    inits += parts[1]
    nodes.append(helper.make_node("GlobalAveragePool", ["depthwise"], ["se_pool"], name="se_pool"))
    parts = conv("se_fc", "se_pool", 16, 16, 1, rng)
    nodes += parts[0]
    inits += parts[1]
    nodes.append(helper.make_node("HardSigmoid", ["se_fc"], ["se_gate"], name="se_hsigmoid", alpha=1.0 / 6, beta=0.5))
    nodes.append(helper.make_node("Mul", ["depthwise", "se_gate"], ["scaled"], name="se_scale"))
    inits.append(numpy_helper.from_array(np.array(0, np.float32), "clip_min"))
    inits.append(numpy_helper.from_array(np.array(6, np.float32), "clip_max"))
    nodes.append(helper.make_node("Clip", ["scaled", "clip_min", "clip_max"], ["output"], name="relu6"))
    graph = helper.make_graph(nodes, "mobilenetv3_style",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 16, 32, 32])], inits)
    model = helper.make_model(graph, producer_name="cvpipe-tests", opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


if __name__ == "__main__":
    main(sys.argv[1])
