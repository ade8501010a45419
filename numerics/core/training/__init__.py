r"""The project's shared trainer: NTK-parameterised fully connected ensembles and deep ResNets
$h_{k+1} = h_k + \delta_k\sigma(A_k h_k + b_k)$, with hand-derived backward passes, optimisers (SGD,
momentum, Adam), a full-batch loop and the minibatch early-stopping loop of Cohen, Cont, Rossier & Xu."""

from .minibatch import mean_squared_error_and_grad, train_minibatch
from .network import ACTIVATIONS, FCNetwork, init_params, mse_loss_and_grad
from .optimizers import Optimizer
from .resnet import DELTA_KINDS, INITS, ResNet, init_resnet
from .train import train_full_batch

__all__ = ["ACTIVATIONS", "DELTA_KINDS", "INITS", "FCNetwork", "Optimizer", "ResNet", "init_params", "init_resnet",
           "mean_squared_error_and_grad", "mse_loss_and_grad", "train_full_batch", "train_minibatch"]
