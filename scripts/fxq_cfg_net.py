"""The [net] section of a Darknet cfg, as the OpenCV scripts need it (no numpy, no cv2: a script
that finds OpenCV missing still reads its cfg)."""


def net_input(cfg):
    """(channels, height, width) of the cfg's first [net] section; height and width 0 when absent.
    Darknet reads the first value of a repeated key."""
    dims = {"channels": None, "height": None, "width": None}
    in_net = False
    with open(cfg) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("["):
                if in_net:
                    break
                in_net = line in ("[net]", "[network]")
            elif in_net and "=" in line:
                key, val = (s.strip() for s in line.split("=", 1))
                if key in dims and dims[key] is None:
                    dims[key] = int(val)
    return dims["channels"] or 3, dims["height"] or 0, dims["width"] or 0
