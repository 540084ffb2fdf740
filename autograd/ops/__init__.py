"""Tensor ops, each a ``Function`` with its forward and derivative side by side.

arith: + - * / ** and friends; unary: elementwise maths and activations;
reduce: sums, means, extrema, softmax; shape: reshapes, indexing, joins;
matmul: matrix products and the fused linear layer.
"""
