# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_berth_global_optspecs
    string join \n root= config= l/log-level= h/help V/version
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
complete -c berth -n "__fish_berth_needs_command" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_needs_command" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_needs_command" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_needs_command" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_needs_command" -f -a "inspect" -d 'Return low-level information on objects'
complete -c berth -n "__fish_berth_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_needs_command" -f -a "system" -d 'Manage berth'
complete -c berth -n "__fish_berth_using_subcommand images" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (berth keeps no intermediate build images, so this lists the same as the default)'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand images" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand tag" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand rmi" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l no-prune -d 'Do not delete untagged parents (accepted for compatibility: berth images have no parent chain)'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
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
complete -c berth -n "__fish_berth_using_subcommand history" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "list" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "remove" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list tag rm remove inspect history prune" -f -a "prune" -d 'Remove unused images and unreferenced content'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (berth keeps no intermediate build images, so this lists the same as the default)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (berth keeps no intermediate build images, so this lists the same as the default)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l no-prune -d 'Do not delete untagged parents (accepted for compatibility: berth images have no parent chain)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force removal of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l no-prune -d 'Do not delete untagged parents (accepted for compatibility: berth images have no parent chain)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template (\'json\' or a Go template)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation (berth never prompts; accepted for compatibility)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "df" -d 'Show berth disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "check" -d 'Verify every blob\'s digest and every reference\'s target; exits non-zero on any problem'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df check prune" -f -a "prune" -d 'Remove unused data (dangling images with -a: all unused images; and unreferenced content)'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l root -d 'Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l config -d 'Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s l -l log-level -d 'Set the logging level' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation (berth never prompts; accepted for compatibility)'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
