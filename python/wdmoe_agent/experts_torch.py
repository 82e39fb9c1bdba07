# The torch backend: each held expert's weights read from its ONNX shard (initializers through onnx's
# numpy_helper) and run as the SwiGLU expert y = (silu(x·W_gate) ⊙ (x·W_up))·W_down on CUDA when present,
# else on the CPU. The shard's op graph is checked node by node against that pattern first (which MatMul
# feeds the Sigmoid, which one the final Mul, which one produces y), so the weights are never mapped by
# guesswork; a shard of another shape is refused with a hint to use --backend onnxruntime.
# Imports torch, onnx, numpy; used by __main__.py through experts.py.
from __future__ import annotations

import threading
from typing import Dict, List, Tuple

import numpy as np

from .bundle import Bundle, bundle_error
from .errors import EXIT_BAD_INPUT, AgentError
from .frames import NO_EXPERT, RunFrame


def _swiglu_weights(path: str, data: bytes) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W_gate, W_up, W_down) of one expert shard, each as stored for x·W, after checking its graph."""
    import onnx
    from onnx import numpy_helper

    try:
        model = onnx.load_model_from_string(data)
    except Exception as error:  # onnx raises DecodeError and friends
        raise bundle_error("bundle-corrupt", path, "is not an ONNX model (%s)" % error)
    graph = model.graph
    initializers = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    producers = {output: node for node in graph.node for output in node.output}
    inputs = [value.name for value in graph.input if value.name not in initializers]
    outputs = [value.name for value in graph.output]
    ops = sorted(node.op_type for node in graph.node)

    def refuse(why: str) -> AgentError:
        return bundle_error("bundle-invalid", path, "is not the SwiGLU expert graph the torch backend maps (%s; ops %s)" % (why, ",".join(ops)),
                            hint="run this device with --backend onnxruntime, which executes any expert graph")

    if inputs != ["x"] or outputs != ["y"]:
        raise refuse("inputs %s, outputs %s, expected x → y" % (inputs, outputs))
    if ops != ["MatMul", "MatMul", "MatMul", "Mul", "Mul", "Sigmoid"]:
        raise refuse("unexpected op set")

    def matmul_of_x(name: str) -> np.ndarray:
        node = producers.get(name)
        if node is None or node.op_type != "MatMul" or node.input[0] != "x" or node.input[1] not in initializers:
            raise refuse("%s is not x·W" % name)
        return initializers[node.input[1]]

    down_node = producers["y"]
    if down_node.op_type != "MatMul" or down_node.input[1] not in initializers:
        raise refuse("y is not h·W_down")
    product = producers.get(down_node.input[0])
    if product is None or product.op_type != "Mul":
        raise refuse("h is not a product")
    gate_weight = up_weight = None
    for side, other in ((product.input[0], product.input[1]), (product.input[1], product.input[0])):
        silu = producers.get(side)
        if silu is None or silu.op_type != "Mul":
            continue
        sigmoid = next((producers.get(name) for name in silu.input if producers.get(name) is not None and producers[name].op_type == "Sigmoid"), None)
        if sigmoid is None:
            continue
        gate = sigmoid.input[0]
        if sorted(silu.input) != sorted([gate, sigmoid.output[0]]):
            raise refuse("silu is not g·sigmoid(g)")
        gate_weight = matmul_of_x(gate)
        up_weight = matmul_of_x(other)
    if gate_weight is None or up_weight is None:
        raise refuse("no silu(x·W_gate) ⊙ (x·W_up)")
    down_weight = initializers[down_node.input[1]]
    if gate_weight.shape != up_weight.shape or gate_weight.shape[::-1] != down_weight.shape:
        raise refuse("weight shapes %s %s %s do not chain" % (gate_weight.shape, up_weight.shape, down_weight.shape))
    return gate_weight, up_weight, down_weight


class TorchExperts:
    """The held experts on one torch device; apply() is called from the agent's single compute thread."""

    def __init__(self, bundle: Bundle, keys: List[str], accelerator: str, threads: int) -> None:
        import torch

        self._torch = torch
        torch.set_num_threads(threads)
        has_cuda = torch.cuda.is_available()
        if accelerator == "cuda" and not has_cuda:
            raise AgentError("agent-no-cuda", "CUDA was asked for (--accelerator cuda) but torch %s sees no CUDA device" % torch.__version__,
                             exit_code=EXIT_BAD_INPUT, hint="install JetPack's torch build (with CUDA) or run with --accelerator cpu")
        self._device = torch.device("cuda:0" if has_cuda and accelerator != "cpu" else "cpu")
        if self._device.type == "cuda":
            # Full fp32 matmuls (no TF32), so CUDA results match the Node agent's within 1e-4.
            matmul = torch.backends.cuda.matmul
            if hasattr(matmul, "fp32_precision"):
                matmul.fp32_precision = "ieee"
            else:
                matmul.allow_tf32 = False
        self.experts = keys
        self.hidden_size = bundle.hidden_size
        self._weights: Dict[Tuple[int, int], Tuple[object, object, object]] = {}
        for key in keys:
            layer, expert = (int(part) for part in key.split("."))
            path, data = bundle.read_verified("expert.%s" % key)
            gate, up, down = _swiglu_weights(path, data)
            if gate.shape[0] != bundle.hidden_size:
                raise bundle_error("bundle-invalid", path, "takes hidden %d, the manifest says %d" % (gate.shape[0], bundle.hidden_size))
            self._weights[(layer, expert)] = tuple(torch.from_numpy(np.array(w, dtype=np.float32, order="C", copy=True)).to(self._device) for w in (gate, up, down))  # type: ignore[assignment]
        self._lock = threading.Lock()
        if self._device.type == "cuda":
            self.execution_provider = "cuda"
            self.device_label = "cuda:0 (%s)" % torch.cuda.get_device_name(0)
        else:
            self.execution_provider = "cpu"
            self.device_label = "cpu"
        self.versions = {"torch": torch.__version__}

    def apply(self, work: RunFrame) -> np.ndarray:
        """Σ over each row's (expert, weight) slots of weight · expert(row), one batched matmul chain per expert."""
        torch = self._torch
        if work.hidden != self.hidden_size:
            raise ValueError("model file expert.%d.*: request has hidden %d, model has %d" % (work.layer, work.hidden, self.hidden_size))
        flat = work.experts.reshape(-1)
        order: List[int] = []
        seen = set()
        for expert in flat.tolist():  # experts in order of first appearance, like the Node agent
            if expert != NO_EXPERT and expert not in seen:
                seen.add(expert)
                order.append(expert)
        with self._lock, torch.inference_mode():
            states = torch.from_numpy(work.states).to(self._device)
            weights = torch.from_numpy(work.weights.reshape(-1)).to(self._device)
            output = torch.zeros((work.rows, work.hidden), dtype=torch.float32, device=self._device)
            for expert in order:
                held = self._weights.get((work.layer, expert))
                if held is None:
                    raise ValueError("model file expert.%d.%d: is not loaded on this device" % (work.layer, expert))
                gate, up, down = held
                slots = torch.from_numpy(np.nonzero(flat == expert)[0]).to(self._device)
                rows = torch.div(slots, work.k, rounding_mode="floor")
                x = states.index_select(0, rows)
                y = (torch.nn.functional.silu(x @ gate) * (x @ up)) @ down
                output.index_add_(0, rows, y * weights.index_select(0, slots).unsqueeze(1))
            return output.cpu().numpy()

    def close(self) -> None:
        self._weights.clear()
