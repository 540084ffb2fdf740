"""Tensor ops, each a ``Function`` with its forward and derivative side by side.

arith: + - * / ** and friends; unary: elementwise maths and activations;
reduce: sums, means, extrema, softmax; shape: reshapes, indexing, joins;
matmul: matrix products and the fused linear layer.
torch's further ops (argument checks in autograd/torchops.py): elementwise: more maths, rounding and
the hard activations; scan: prod, cumulative ops, norms; layout: flip, roll, repeat, pad, diagonal,
tril/triu; index: gather, scatter, masked_fill (and sort/topk through gather); einsum.
"""
