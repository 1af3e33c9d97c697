/* confab-markdown-view.c: a chat message's Markdown, one widget per block
 *
 * While an answer streams, the view is given a longer text many times a second. It parses
 * the whole text again each time (cheap next to layout) but keeps the widgets of unchanged
 * blocks, so that selections, scroll positions and the copy buttons survive the updates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-markdown.h"
#include "confab-markdown-view.h"

#define LIST_INDENT 18
#define COPIED_SECONDS 2

typedef struct
{
  ConfabMdBlockType type;
  guint level;
  char *content;                /* the markup shown, or a code block's code */
  char *marker;
  char *language;
  GtkWidget *widget;            /* the view's child */
  GtkWidget *label;
  GtkWidget *marker_label;
  GtkWidget *language_label;
  GtkWidget *copy_button;
  guint copied_id;
} Item;

struct _ConfabMarkdownView
{
  GtkWidget parent_instance;

  char *markdown;
  GPtrArray *items;             /* Item, one per block, in order */
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MARKDOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
item_free (Item *item)
{
  g_clear_handle_id (&item->copied_id, g_source_remove);
  if (item->copy_button != NULL)
    g_signal_handlers_disconnect_by_data (item->copy_button, item);
  gtk_widget_unparent (item->widget);
  g_free (item->content);
  g_free (item->marker);
  g_free (item->language);
  g_free (item);
}

static GtkWidget *
text_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_use_markup (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  return label;
}

/* Wide content scrolls sideways instead of widening the conversation. */
static GtkWidget *
hscroller_new (GtkWidget *child)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), child);
  return scroller;
}

static const char *
heading_class (guint level)
{
  /* One step down from libadwaita's largest title, which is too loud inside a message. */
  switch (level)
    {
    case 1:
      return "title-2";
    case 2:
      return "title-3";
    case 3:
      return "title-4";
    default:
      return "heading";
    }
}

static gboolean
copied_timeout_cb (gpointer user_data)
{
  Item *item = user_data;

  item->copied_id = 0;
  gtk_button_set_icon_name (GTK_BUTTON (item->copy_button), "edit-copy-symbolic");
  gtk_widget_set_tooltip_text (item->copy_button, _("Copy"));
  return G_SOURCE_REMOVE;
}

static void
copy_clicked_cb (GtkButton *button,
                 Item      *item)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (button));

  gdk_clipboard_set_text (clipboard, item->content ? item->content : "");

  gtk_button_set_icon_name (button, "object-select-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), _("Copied"));
  g_clear_handle_id (&item->copied_id, g_source_remove);
  item->copied_id = g_timeout_add_seconds (COPIED_SECONDS, copied_timeout_cb, item);
}

static void
item_build (Item *item)
{
  switch (item->type)
    {
    case CONFAB_MD_PARAGRAPH:
    case CONFAB_MD_HEADING:
      item->widget = item->label = text_label_new ();
      break;

    case CONFAB_MD_LIST_ITEM:
      item->widget = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      item->marker_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (item->marker_label), 1);
      gtk_label_set_width_chars (GTK_LABEL (item->marker_label), 2);
      gtk_widget_set_valign (item->marker_label, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (item->widget), item->marker_label);
      item->label = text_label_new ();
      gtk_box_append (GTK_BOX (item->widget), item->label);
      break;

    case CONFAB_MD_QUOTE:
      item->widget = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      gtk_widget_set_margin_start (item->widget, 4);
      gtk_box_append (GTK_BOX (item->widget), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
      item->label = text_label_new ();
      gtk_widget_add_css_class (item->label, "dim-label");
      gtk_box_append (GTK_BOX (item->widget), item->label);
      break;

    case CONFAB_MD_RULE:
      item->widget = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_set_margin_top (item->widget, 6);
      gtk_widget_set_margin_bottom (item->widget, 6);
      break;

    case CONFAB_MD_TABLE:
      item->label = text_label_new ();
      gtk_label_set_wrap (GTK_LABEL (item->label), FALSE);
      item->widget = hscroller_new (item->label);
      break;

    case CONFAB_MD_CODE:
      {
        GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

        item->widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
        gtk_widget_add_css_class (item->widget, "card");
        gtk_widget_add_css_class (item->widget, "code-block");

        item->language_label = gtk_label_new (NULL);
        gtk_label_set_xalign (GTK_LABEL (item->language_label), 0);
        gtk_label_set_ellipsize (GTK_LABEL (item->language_label), PANGO_ELLIPSIZE_END);
        gtk_widget_set_hexpand (item->language_label, TRUE);
        gtk_widget_set_margin_start (item->language_label, 12);
        gtk_widget_add_css_class (item->language_label, "caption");
        gtk_widget_add_css_class (item->language_label, "dim-label");
        gtk_box_append (GTK_BOX (header), item->language_label);

        item->copy_button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
        gtk_widget_set_tooltip_text (item->copy_button, _("Copy"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (item->copy_button),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Code"),
                                        -1);
        gtk_widget_add_css_class (item->copy_button, "flat");
        gtk_widget_set_margin_top (item->copy_button, 3);
        gtk_widget_set_margin_end (item->copy_button, 3);
        g_signal_connect (item->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), item);
        gtk_box_append (GTK_BOX (header), item->copy_button);
        gtk_box_append (GTK_BOX (item->widget), header);

        item->label = gtk_label_new (NULL);
        gtk_label_set_selectable (GTK_LABEL (item->label), TRUE);
        gtk_label_set_xalign (GTK_LABEL (item->label), 0);
        gtk_widget_add_css_class (item->label, "monospace");
        gtk_widget_set_margin_start (item->label, 12);
        gtk_widget_set_margin_end (item->label, 12);
        gtk_widget_set_margin_bottom (item->label, 12);
        gtk_box_append (GTK_BOX (item->widget), hscroller_new (item->label));
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Brings the item's widgets up to date with @block, touching only what changed. */
static void
item_update (Item                *item,
             const ConfabMdBlock *block)
{
  const char *content = block->type == CONFAB_MD_CODE ? block->text : block->markup;

  if (item->label != NULL && g_strcmp0 (item->content, content) != 0)
    {
      if (block->type == CONFAB_MD_CODE)
        gtk_label_set_text (GTK_LABEL (item->label), content);
      else
        gtk_label_set_markup (GTK_LABEL (item->label), content ? content : "");
      g_free (item->content);
      item->content = g_strdup (content);
    }

  if (block->type == CONFAB_MD_HEADING && item->level != block->level)
    {
      if (item->level != G_MAXUINT)
        gtk_widget_remove_css_class (item->label, heading_class (item->level));
      gtk_widget_add_css_class (item->label, heading_class (block->level));
    }

  if (block->type == CONFAB_MD_LIST_ITEM && g_strcmp0 (item->marker, block->marker) != 0)
    {
      gtk_label_set_label (GTK_LABEL (item->marker_label), block->marker ? block->marker : "");
      g_free (item->marker);
      item->marker = g_strdup (block->marker);
    }

  if ((block->type == CONFAB_MD_LIST_ITEM || block->type == CONFAB_MD_CODE) &&
      item->level != block->level)
    {
      gtk_widget_set_margin_start (item->widget,
                                   block->level * LIST_INDENT +
                                   (block->type == CONFAB_MD_LIST_ITEM ? 6 : 0));
    }

  if (block->type == CONFAB_MD_CODE && g_strcmp0 (item->language, block->language) != 0)
    {
      gtk_label_set_label (GTK_LABEL (item->language_label),
                           block->language ? block->language : "");
      g_free (item->language);
      item->language = g_strdup (block->language);
    }

  item->level = block->level;
}

static void
confab_markdown_view_sync (ConfabMarkdownView *self)
{
  g_autoptr(GPtrArray) blocks = confab_markdown_parse (self->markdown);
  guint i;

  for (i = 0; i < blocks->len && i < self->items->len; i++)
    {
      const ConfabMdBlock *block = g_ptr_array_index (blocks, i);
      Item *item = g_ptr_array_index (self->items, i);

      if (item->type != block->type)
        break;
    }

  /* Streaming only ever changes the end, so everything before the first change stays. */
  if (i < self->items->len)
    g_ptr_array_remove_range (self->items, i, self->items->len - i);

  for (i = 0; i < blocks->len; i++)
    {
      const ConfabMdBlock *block = g_ptr_array_index (blocks, i);
      Item *item;

      if (i < self->items->len)
        item = g_ptr_array_index (self->items, i);
      else
        {
          item = g_new0 (Item, 1);
          item->type = block->type;
          /* Impossible as a real level, so that the first update applies the block's. */
          item->level = G_MAXUINT;
          item_build (item);
          gtk_widget_insert_before (item->widget, GTK_WIDGET (self), NULL);
          g_ptr_array_add (self->items, item);
        }
      item_update (item, block);
    }
}

static void
confab_markdown_view_dispose (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->dispose (object);
}

static void
confab_markdown_view_finalize (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  g_free (self->markdown);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->finalize (object);
}

static void
confab_markdown_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_MARKDOWN:
      g_value_set_string (value, self->markdown);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_MARKDOWN:
      confab_markdown_view_set_markdown (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_class_init (ConfabMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_view_dispose;
  object_class->finalize = confab_markdown_view_finalize;
  object_class->get_property = confab_markdown_view_get_property;
  object_class->set_property = confab_markdown_view_set_property;

  /**
   * ConfabMarkdownView:markdown: (attributes org.gtk.Property.get=confab_markdown_view_get_markdown org.gtk.Property.set=confab_markdown_view_set_markdown)
   *
   * The Markdown text shown, which may still be streaming in.
   */
  properties[PROP_MARKDOWN] =
    g_param_spec_string ("markdown", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_markdown_view_init (ConfabMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);

  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

/**
 * confab_markdown_view_new:
 *
 * Returns: (transfer floating): a new, empty view
 */
GtkWidget *
confab_markdown_view_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_VIEW, NULL);
}

const char *
confab_markdown_view_get_markdown (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);

  return self->markdown;
}

/**
 * confab_markdown_view_set_markdown:
 * @self: a #ConfabMarkdownView
 * @markdown: (nullable): the text to show
 *
 * Shows @markdown. Cheap to call again with a longer text while an answer streams.
 */
void
confab_markdown_view_set_markdown (ConfabMarkdownView *self,
                                   const char         *markdown)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (g_strcmp0 (self->markdown, markdown) == 0)
    return;

  g_free (self->markdown);
  self->markdown = g_strdup (markdown);
  confab_markdown_view_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARKDOWN]);
}

guint
confab_markdown_view_get_n_blocks (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 0);

  return self->items->len;
}

/**
 * confab_markdown_view_get_block_widget:
 * @self: a #ConfabMarkdownView
 * @index: a block's index
 *
 * Returns: (transfer none): the child widget that shows block @index
 */
GtkWidget *
confab_markdown_view_get_block_widget (ConfabMarkdownView *self,
                                       guint               index)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);

  return ((Item *) g_ptr_array_index (self->items, index))->widget;
}
