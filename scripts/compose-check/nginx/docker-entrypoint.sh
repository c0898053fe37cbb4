#!/bin/sh
# The official nginx image's entrypoint contract, as documented: when the
# command is nginx, each /etc/nginx/templates/**/*.template is filled in with
# envsubst, substituting only variables that are set (so nginx's own $host,
# $scheme... stay), into /etc/nginx/conf.d/ under the same relative path
# without the suffix; then the command runs.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
    suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
    output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
    if [ -d "$template_dir" ]; then
        # shellcheck disable=SC2016,SC2046 # names for envsubst, unexpanded; one word each
        defined_envs=$(printf '${%s} ' $(awk 'END { for (name in ENVIRON) { print name } }' </dev/null))
        find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
            relative_path=${template#"$template_dir/"}
            output_path=$output_dir/${relative_path%"$suffix"}
            mkdir -p "$(dirname "$output_path")"
            echo "$0: Running envsubst on $template to $output_path"
            envsubst "$defined_envs" <"$template" >"$output_path"
        done
    fi
    echo "$0: Configuration complete; ready for start up"
fi
exec "$@"
