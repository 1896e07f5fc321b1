'use strict';
// Django's admin/js/autocomplete.js (5.2), except that a picker posts what is typed:
// an ID number or phone typed into a student picker must never sit in a URL, where every
// proxy's access log would keep it (SECURITY D4). aidsite/admin.py answers the POST.
{
    const $ = django.jQuery;

    function csrfToken(element) {
        const field = element.form && element.form.querySelector('[name=csrfmiddlewaretoken]');
        return field ? field.value : '';
    }

    $.fn.djangoAdminSelect2 = function() {
        $.each(this, function(i, element) {
            // Django's widget writes data-ajax--type="GET", and select2 lets a data
            // attribute win over an option given here.
            element.setAttribute('data-ajax--type', 'POST');
            $(element).select2({
                ajax: {
                    headers: {'X-CSRFToken': csrfToken(element)},
                    data: (params) => {
                        return {
                            term: params.term,
                            page: params.page,
                            app_label: element.dataset.appLabel,
                            model_name: element.dataset.modelName,
                            field_name: element.dataset.fieldName
                        };
                    }
                }
            });
        });
        return this;
    };

    $(function() {
        // Initialize all autocomplete widgets except the one in the template
        // form used when a new formset is added.
        $('.admin-autocomplete').not('[name*=__prefix__]').djangoAdminSelect2();
    });

    document.addEventListener('formset:added', (event) => {
        $(event.target).find('.admin-autocomplete').djangoAdminSelect2();
    });
}
