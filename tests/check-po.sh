#!/bin/bash
# check-po.sh: checks that po/POTFILES.in lists every file with translatable
# strings, and that every translation is complete for a freshly extracted
# template.
#
# Usage: check-po.sh SOURCE_ROOT [PO_DIR]
#
# PO_DIR defaults to SOURCE_ROOT/po; it holds POTFILES.in, LINGUAS and the
# .po files. The template is extracted into a temporary directory the way
# meson's i18n.gettext (preset: 'glib') does, and each language is merged
# with it there: the source tree is not modified. The tools can be given as
# XGETTEXT, MSGMERGE, MSGFMT and MSGATTRIB in the environment.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "Usage: $0 SOURCE_ROOT [PO_DIR]" >&2
  exit 2
fi

srcroot=$(cd "$1" && pwd)
podir=$(cd "${2:-$srcroot/po}" && pwd)
package=confab

XGETTEXT=${XGETTEXT:-xgettext}
MSGMERGE=${MSGMERGE:-msgmerge}
MSGFMT=${MSGFMT:-msgfmt}
MSGATTRIB=${MSGATTRIB:-msgattrib}

# The directories whose files may hold strings shown to people.
scan_dirs=(app data)

# The arguments of meson's i18n 'glib' preset (mesonbuild/modules/i18n.py),
# as `ninja -t commands confab-pot` shows them.
xgettext_args=(
  --from-code=UTF-8
  --add-comments
  --keyword=_
  --keyword=N_
  --keyword=C_:1c,2
  --keyword=NC_:1c,2
  --keyword=g_dcgettext:2
  --keyword=g_dngettext:2,3
  --keyword=g_dpgettext2:2c,3
  --flag=N_:1:pass-c-format
  --flag=C_:2:pass-c-format
  --flag=NC_:2:pass-c-format
  --flag=g_dngettext:2:pass-c-format
  --flag=g_strdup_printf:1:c-format
  --flag=g_string_printf:2:c-format
  --flag=g_string_append_printf:2:c-format
  --flag=g_error_new:3:c-format
  --flag=g_set_error:4:c-format
  --flag=g_markup_printf_escaped:1:c-format
  --flag=g_log:3:c-format
  --flag=g_print:1:c-format
  --flag=g_printerr:1:c-format
  --flag=g_printf:1:c-format
  --flag=g_fprintf:2:c-format
  --flag=g_sprintf:2:c-format
  --flag=g_snprintf:3:c-format
)

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

failed=0

# Prints the lines of a POTFILES.in-like file that name files.
list_files () {
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$1" | grep -v '^$' || true
}

list_files "$podir/POTFILES.in" > "$tmpdir/listed"
if [[ -f $podir/POTFILES.skip ]]; then
  list_files "$podir/POTFILES.skip" > "$tmpdir/skipped"
else
  : > "$tmpdir/skipped"
fi

# (a) Every listed file exists, and every file with translatable strings is
# listed.
while IFS= read -r file; do
  if [[ ! -f $srcroot/$file ]]; then
    echo "po/POTFILES.in lists $file, which does not exist"
    failed=1
  fi
done < "$tmpdir/listed"

if ! LC_ALL=C sort --check=quiet "$tmpdir/listed"; then
  echo "note: po/POTFILES.in is not sorted"
fi

# Strings marked in code or GtkBuilder files, and the formats that are
# translatable without marks: GSettings schemas, desktop entries, MetaInfo.
(
  cd "$srcroot"
  {
    grep -rlIE '(^|[^[:alnum:]_])(_|N_|C_|NC_)[[:space:]]*\(|translatable="yes"' \
      "${scan_dirs[@]}" || true
    find "${scan_dirs[@]}" -type f -name '*.gschema.xml' \
      -exec grep -lE '<(summary|description)>' {} + || true
    find "${scan_dirs[@]}" -type f \( -name '*.desktop' -o -name '*.desktop.in' -o -name '*.desktop.in.in' \) \
      -exec grep -lE '^(Name|GenericName|Comment|Keywords)=' {} + || true
    find "${scan_dirs[@]}" -type f \( -name '*.metainfo.xml*' -o -name '*.appdata.xml*' \) \
      -exec grep -lE '<(name|summary|p|li)[[:space:]>]' {} + || true
  } | sed 's|^\./||' | sort -u
) > "$tmpdir/found"

while IFS= read -r file; do
  if ! grep -qxF "$file" "$tmpdir/listed" && ! grep -qxF "$file" "$tmpdir/skipped"; then
    echo "$file has translatable strings, but is missing from po/POTFILES.in"
    failed=1
  fi
done < "$tmpdir/found"

# (b) A fresh template, from the files as meson would extract them: those
# listed, less any missing, already reported.
while IFS= read -r file; do
  if [[ -f $srcroot/$file ]]; then
    echo "$file"
  fi
done < "$tmpdir/listed" > "$tmpdir/POTFILES"
if ! (cd "$srcroot" && "$XGETTEXT" --package-name="$package" -f "$tmpdir/POTFILES" \
        -D "$srcroot" -o "$tmpdir/$package.pot" "${xgettext_args[@]}"); then
  echo "xgettext failed"
  exit 1
fi

# How many strings a file should give, for the formats xgettext reads with
# ITS rules: with the rules missing, it would find none, or too few.
expected_strings () {
  local path=$srcroot/$1

  case $1 in
    *.ui)
      grep -o 'translatable="yes"' "$path" | wc -l || true ;;
    *.gschema.xml)
      grep -oE '<(summary|description)>' "$path" | wc -l || true ;;
    *.desktop|*.desktop.in|*.desktop.in.in)
      grep -cE '^(Name|GenericName|Comment|Keywords)=' "$path" || true ;;
    *.metainfo.xml*|*.appdata.xml*)
      grep -oE '<(name|summary|p|li|caption|developer_name)([[:space:]][^>]*)?>' "$path" |
        grep -vc 'translat[a-z]*="no"' || true ;;
    *)
      echo 1 ;;
  esac
}

# Every listed file gives strings: one that gives none is either listed for
# nothing, or in a format xgettext did not read.
while IFS= read -r file; do
  [[ -f $srcroot/$file ]] || continue
  found=$(grep '^#:' "$tmpdir/$package.pot" | tr ' ' '\n' | grep -c "^${file//./\\.}:[0-9]*\$" || true)
  expected=$(expected_strings "$file")
  if [[ $found -eq 0 ]]; then
    echo "xgettext found no translatable strings in $file"
    failed=1
  elif [[ $found -lt $expected ]]; then
    echo "xgettext found $found translatable strings in $file, which has $expected"
    failed=1
  fi
done < "$tmpdir/listed"

# Each language, merged with the fresh template as `ninja confab-update-po`
# would, must have every string translated, none fuzzy.
list_files "$podir/LINGUAS" | tr ' ' '\n' | grep -v '^$' > "$tmpdir/linguas" || true
while IFS= read -r lang; do
  po=$podir/$lang.po
  merged=$tmpdir/$lang.po

  if [[ ! -f $po ]]; then
    echo "po/LINGUAS lists $lang, but $lang.po does not exist"
    failed=1
    continue
  fi

  "$MSGMERGE" --quiet --previous -o "$merged" "$po" "$tmpdir/$package.pot"

  if ! "$MSGFMT" --check --check-accelerators=_ -o /dev/null "$merged"; then
    echo "$lang.po: msgfmt --check failed"
    failed=1
  fi

  "$MSGATTRIB" --untranslated --no-obsolete --no-wrap "$merged" > "$tmpdir/$lang.untranslated"
  "$MSGATTRIB" --only-fuzzy --no-obsolete --no-wrap "$merged" > "$tmpdir/$lang.fuzzy"

  for kind in untranslated fuzzy; do
    # One line a message, its context first; the header, whose msgid is
    # empty, is not a message.
    awk 'BEGIN { RS = "" }
         {
           line = ""; in_id = 0
           n = split ($0, lines, "\n")
           for (i = 1; i <= n; i++)
             {
               if (lines[i] ~ /^msgctxt /)
                 line = line "[" substr (lines[i], 9) "] "
               else if (lines[i] ~ /^msgid /)
                 { in_id = 1; line = line substr (lines[i], 7) }
               else if (in_id && lines[i] ~ /^"/)
                 line = line lines[i]
               else if (in_id)
                 break
             }
           gsub (/""/, "", line)
           if (line != "" && line !~ /^\[.*\] $/)
             print "  " line
         }' "$tmpdir/$lang.$kind" > "$tmpdir/$lang.$kind.list"
    if [[ -s $tmpdir/$lang.$kind.list ]]; then
      echo "$lang.po has $(wc -l < "$tmpdir/$lang.$kind.list") $kind messages:"
      cat "$tmpdir/$lang.$kind.list"
      failed=1
    fi
  done

  if [[ $("$MSGATTRIB" --only-obsolete "$po" | grep -c '^#~ msgid' || true) -gt 0 ]]; then
    echo "note: $lang.po has obsolete (#~) messages"
  fi

  echo -n "$lang: "
  "$MSGFMT" --statistics -o /dev/null "$merged" 2>&1
done < "$tmpdir/linguas"

exit $failed
