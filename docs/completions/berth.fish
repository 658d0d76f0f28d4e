# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_berth_global_optspecs
    string join \n root= config= log-level= h/help V/version
end

function __fish_berth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_berth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_berth_using_subcommand
    set -l cmd (__fish_berth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c berth -n "__fish_berth_needs_command" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_needs_command" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_needs_command" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_needs_command" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_needs_command" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_needs_command" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_needs_command" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_needs_command" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c berth -n "__fish_berth_needs_command" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c berth -n "__fish_berth_needs_command" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c berth -n "__fish_berth_needs_command" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "search" -d 'Search Docker Hub (or a private registry\'s catalog) for images'
complete -c berth -n "__fish_berth_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_needs_command" -f -a "inspect" -d 'Return low-level information on objects'
complete -c berth -n "__fish_berth_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_needs_command" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_needs_command" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_needs_command" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_needs_command" -f -a "container" -d 'Manage containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "system" -d 'Manage berth'
complete -c berth -n "__fish_berth_needs_command" -f -a "version" -d 'Show the berth version information'
complete -c berth -n "__fish_berth_using_subcommand build" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l build-arg -d 'Set build-time variables' -r
complete -c berth -n "__fish_berth_using_subcommand build" -s f -l file -d 'Name of the Dockerfile (Default is \'PATH/Dockerfile\')' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l label -d 'Set metadata for an image' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l network -d 'Set the networking mode for the RUN instructions during build' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l progress -d 'Set type of progress output (auto, plain, tty, quiet). Use plain to show container output' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l rm -d 'Remove intermediate containers after a successful build' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand build" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand build" -s t -l tag -d 'Name and optionally a tag in the \'name:tag\' format' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l target -d 'Set the target build stage to build' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand build" -l force-rm -d 'Always remove intermediate containers'
complete -c berth -n "__fish_berth_using_subcommand build" -l no-cache -d 'Do not use cache when building the image'
complete -c berth -n "__fish_berth_using_subcommand build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c berth -n "__fish_berth_using_subcommand build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c berth -n "__fish_berth_using_subcommand build" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand build" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand images" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand images" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand tag" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -s m -l message -d 'Set commit message for imported image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand import" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand load" -s i -l input -d 'Read from tar archive file (or an OCI image layout directory), instead of STDIN' -r
complete -c berth -n "__fish_berth_using_subcommand load" -l platform -d 'Load only the given platform (os[/arch[/variant]])' -r
complete -c berth -n "__fish_berth_using_subcommand load" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand load" -s q -l quiet -d 'Suppress the load output'
complete -c berth -n "__fish_berth_using_subcommand load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand load" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand save" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l format -d 'Archive layout: hybrid (Docker 25+, loads everywhere), docker, or oci' -r -f -a "hybrid\t''
docker\t''
oci\t''"
complete -c berth -n "__fish_berth_using_subcommand save" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand save" -l uncompressed -d 'Write plain tar layers instead of the stored (possibly compressed) ones'
complete -c berth -n "__fish_berth_using_subcommand save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand save" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand pull" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -l max-concurrent-downloads -d 'Layers downloaded at once' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -l disable-content-trust -d 'Skip image verification (accepted for compatibility; content is always verified)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -s a -l all-tags -d 'Download all tagged images in the repository'
complete -c berth -n "__fish_berth_using_subcommand pull" -s q -l quiet -d 'Suppress verbose output'
complete -c berth -n "__fish_berth_using_subcommand pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand pull" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand push" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand push" -s a -l all-tags -d 'Push all tags of an image to the repository'
complete -c berth -n "__fish_berth_using_subcommand push" -s q -l quiet -d 'Suppress verbose output'
complete -c berth -n "__fish_berth_using_subcommand push" -l monolithic -d 'Upload each layer in one request instead of chunks'
complete -c berth -n "__fish_berth_using_subcommand push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand push" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand search" -s f -l filter -d 'Filter output based on conditions provided (stars=N, is-official=bool, is-automated=bool)' -r
complete -c berth -n "__fish_berth_using_subcommand search" -l format -d 'Pretty-print search using a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand search" -l limit -d 'Max number of search results' -r
complete -c berth -n "__fish_berth_using_subcommand search" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand search" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand search" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand search" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand search" -l list-tags -d 'List the tags of the repository TERM instead of searching'
complete -c berth -n "__fish_berth_using_subcommand search" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand search" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand login" -s u -l username -d 'Username' -r
complete -c berth -n "__fish_berth_using_subcommand login" -s p -l password -d 'Password' -r
complete -c berth -n "__fish_berth_using_subcommand login" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand login" -l password-stdin -d 'Take the password from stdin'
complete -c berth -n "__fish_berth_using_subcommand login" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand login" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand logout" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand logout" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logout" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand rmi" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l no-prune -d 'Do not delete untagged parents'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l type -d 'Return JSON for specified type (container or image)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "list" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "remove" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list tag import load save pull push rm remove inspect history prune" -f -a "prune" -d 'Remove unused images and unreferenced content'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (Default is \'PATH/Dockerfile\')' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions during build' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l progress -d 'Set type of progress output (auto, plain, tty, quiet). Use plain to show container output' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l rm -d 'Remove intermediate containers after a successful build' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the \'name:tag\' format' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l force-rm -d 'Always remove intermediate containers'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Set commit message for imported image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read from tar archive file (or an OCI image layout directory), instead of STDIN' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l platform -d 'Load only the given platform (os[/arch[/variant]])' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Suppress the load output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'Archive layout: hybrid (Docker 25+, loads everywhere), docker, or oci' -r -f -a "hybrid\t''
docker\t''
oci\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l uncompressed -d 'Write plain tar layers instead of the stored (possibly compressed) ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l max-concurrent-downloads -d 'Layers downloaded at once' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l disable-content-trust -d 'Skip image verification (accepted for compatibility; content is always verified)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s a -l all-tags -d 'Download all tagged images in the repository'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Suppress verbose output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s a -l all-tags -d 'Push all tags of an image to the repository'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Suppress verbose output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l monolithic -d 'Upload each layer in one request instead of chunks'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l no-prune -d 'Do not delete untagged parents'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l no-prune -d 'Do not delete untagged parents'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. \'until=<timestamp>\', \'label=<key>[=<value>]\', \'label!=...\')' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation (berth never prompts; accepted for compatibility)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s e -l env -d 'Set environment variables' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s v -l volume -d 'Bind mount a volume' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l network -d 'Connect a container to a network (berth: host or none)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l runtime -d 'Runtime to use for this container (runc, crun, or a path)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID'
complete -c berth -n "__fish_berth_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand run" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c berth -n "__fish_berth_using_subcommand run" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand run" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s e -l env -d 'Set environment variables' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s v -l volume -d 'Bind mount a volume' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l network -d 'Connect a container to a network (berth: host or none)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l runtime -d 'Runtime to use for this container (runc, crun, or a path)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand create" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand create" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c berth -n "__fish_berth_using_subcommand create" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand start" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c berth -n "__fish_berth_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand start" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -s t -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand stop" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand kill" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand kill" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand logs" -l since -d 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l until -d 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand logs" -l details -d 'Show extra details provided to logs (accepted; berth records none)'
complete -c berth -n "__fish_berth_using_subcommand logs" -s f -l follow -d 'Follow log output'
complete -c berth -n "__fish_berth_using_subcommand logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logs" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand ps" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand ps" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rm" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s l -l link -d 'Remove the specified link (accepted; berth has no links)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container (accepted; berth has no volumes)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand export" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand diff" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand diff" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s m -l message -d 'Commit message' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s p -l pause -d 'Pause container during commit' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand commit" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand commit" -l no-pause -d 'Don\'t pause the container during commit'
complete -c berth -n "__fish_berth_using_subcommand commit" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand commit" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "ls" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "list" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "remove" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill logs ls list ps rm remove export diff commit inspect" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l network -d 'Connect a container to a network (berth: host or none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l runtime -d 'Runtime to use for this container (runc, crun, or a path)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run container in background and print container ID'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a volume' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l network -d 'Connect a container to a network (berth: host or none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l shm-size -d 'Size of /dev/shm' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Ulimit options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l runtime -d 'Runtime to use for this container (runc, crun, or a path)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l details -d 'Show extra details provided to logs (accepted; berth records none)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s l -l link -d 'Remove the specified link (accepted; berth has no links)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container (accepted; berth has no volumes)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s l -l link -d 'Remove the specified link (accepted; berth has no links)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s v -l volumes -d 'Remove anonymous volumes associated with the container (accepted; berth has no volumes)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s m -l message -d 'Commit message' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s p -l pause -d 'Pause container during commit' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l no-pause -d 'Don\'t pause the container during commit'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "df" -d 'Show berth disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "check" -d 'Verify every blob\'s digest and every reference\'s target, and find stray mounts; exits non-zero on any problem'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "prune" -d 'Remove stopped containers, dangling images (with -a: all unused images) and unreferenced content'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Pretty-print images using a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. \'until=<timestamp>\', \'label=<key>[=<value>]\', \'label!=...\')' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation (berth never prompts; accepted for compatibility)'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand version" -s f -l format -d 'Format output using a custom template' -r
complete -c berth -n "__fish_berth_using_subcommand version" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand version" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand version" -s V -l version -d 'Print version'
