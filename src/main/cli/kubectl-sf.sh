#!/bin/sh
# kubectl-sf: the kubectl plugin for ServerFleets (`kubectl sf --help`). The plugin's jar is
# appended to this script (mvn package builds target/kubectl-sf). Put the file on the PATH:
#   install -m 0755 target/kubectl-sf ~/.local/bin/
#
# It starts java with start-up friendly flags (C1 only, serial GC, no perf data) and, from its
# second run on, a class-data sharing archive that the first run wrote (JDK 13+ dynamic AppCDS),
# under ${XDG_CACHE_HOME:-$HOME/.cache}/serverfleet, one per build of this file and java binary
# (a help or version run writes none; an interrupted one may not). Settings (environment):
#   KUBECTL_SF_JAVA   the java to run (default: $JAVA_HOME/bin/java, then java on the PATH; 17+)
#   KUBECTL_SF_CDS=0  no archive
self=$0
case $self in
*/*) ;;
*) self=$(command -v -- "$self") ;;
esac
case $self in
/*) ;;
*) self=$PWD/$self ;;
esac
if [ -n "${KUBECTL_SF_JAVA:-}" ]; then
  java=$KUBECTL_SF_JAVA
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$JAVA_HOME/bin/java
else
  java=java
fi
main=dev.serverfleet.operator.cli.KubectlSf
# -Xlog: the JVM's own warnings (e.g. an archive it cannot use) go to stderr, never into the output.
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Xlog:disable -Xlog:all=error:stderr -Dslf4j.internal.verbosity=ERROR"

if [ "${KUBECTL_SF_CDS:-1}" != 0 ]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/serverfleet
  key=$( (ls -lnL "$self" && command -v -- "$java") 2>/dev/null | cksum | cut -d ' ' -f 1)
  archive=$cache/kubectl-sf-$key.jsa
  if [ -f "$archive" ]; then
    # shellcheck disable=SC2086
    exec "$java" $flags -XX:SharedArchiveFile="$archive" -cp "$self" $main "$@"
  fi
  # The archive holds the classes the run that writes it loaded: not a help or version run.
  train=$#
  for arg in "$@"; do
    case $arg in -h | --help | -V | --version) train=0 ;; esac
  done
  if [ "$train" != 0 ] && mkdir -p "$cache" 2>/dev/null; then
    # The JVM writes the archive as it exits; moved into place only when complete, replacing
    # the archives of earlier builds. A Ctrl-C reaches java, which exits (and writes); this
    # shell only waits for it.
    trap ':' INT TERM
    # shellcheck disable=SC2086
    "$java" $flags -XX:ArchiveClassesAtExit="$archive.$$" -cp "$self" $main "$@"
    rc=$?
    if [ -s "$archive.$$" ]; then
      rm -f "$cache"/kubectl-sf-*.jsa
      mv -f "$archive.$$" "$archive"
    else
      rm -f "$archive.$$"
    fi
    exit $rc
  fi
fi
# shellcheck disable=SC2086
exec "$java" $flags -cp "$self" $main "$@"
