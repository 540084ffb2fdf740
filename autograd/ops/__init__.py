"""Tensor ops, each a ``Function`` with its forward and derivative side by side.

arith: + - * / ** and friends; unary: elementwise maths and activations;
reduce: sums, means, extrema, softmax; shape: reshapes, indexing, joins;
matmul: matrix products and the fused linear layer.
torch's further ops (argument checks in autograd/torchops.py): elementwise: more maths, rounding and
the hard activations; scan: prod, cumulative ops, norms; layout: flip, roll, repeat, pad, diagonal,
tril/triu; index: gather, scatter, masked_fill (and sort/topk through gather); einsum.
More (argument checks in autograd/torch_more.py, torch_extra.py, linalg.py): division: rounded division and
remainders; index_reduce: scatter_reduce; cumprod; linalg: singular values, inverse, determinant, solve;
elementwise_more: log1p, expm1, acosh, atanh, logit, xlogy, atan2, hypot, nan_to_num.
"""
