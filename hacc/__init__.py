"""hacc: the high-availability cluster compiler.

One `cluster.ha` file describes a whole cluster; hacc checks it and compiles it
into corosync.conf, the Pacemaker CIB, keepalived.conf and haproxy.cfg for
every node. The package follows the pipeline:

    source -> parse -> model -> checks -> emit -> output
"""

__version__ = "0.1.0"
