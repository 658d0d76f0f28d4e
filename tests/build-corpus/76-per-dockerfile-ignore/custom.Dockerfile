FROM @BASE@
COPY . /ctx
