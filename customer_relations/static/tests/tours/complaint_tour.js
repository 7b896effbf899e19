import { registry } from "@web/core/registry";

function state(label) {
    return {
        content: `The complaint is now ${label}`,
        trigger: `.o_statusbar_status button[aria-checked="true"]:contains(${label})`,
    };
}

function button(label) {
    return {
        content: `Click ${label}`,
        trigger: `.o_statusbar_buttons button:contains(${label})`,
        run: "click",
    };
}

function tab(label) {
    return {
        content: `Open the ${label} tab`,
        trigger: `.o_notebook .nav-link:contains(${label})`,
        run: "click",
    };
}

function editor(field, text) {
    return {
        content: `Write ${field}`,
        trigger: `.o_field_html[name='${field}'] .odoo-editor-editable div.o-paragraph`,
        run: `editor ${text}`,
    };
}

function many2one(field, text) {
    return [
        {
            content: `Type ${text} in ${field}`,
            trigger: `.o_field_widget[name='${field}'] input`,
            run: `edit ${text}`,
        },
        {
            content: `Choose ${text}`,
            trigger: `.o_field_widget[name='${field}'] .dropdown-item:contains(${text})`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("customer_relations_complaint_tour", {
    url: "/odoo/action-customer_relations.customer_complaint_action?view_type=list",
    steps: () => [
        {
            content: "Take in a new complaint",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Subject",
            trigger: ".o_field_widget[name='title'] input",
            run: "edit 洗衣机轴承异响 bearing noise",
        },
        ...many2one("partner_id", "Tour Laundry"),
        ...many2one("category_id", "Tour Delivery"),
        editor("description", "The washer makes noise after 200 cycles."),
        button("Submit"),
        state("Routing"),
        {
            content: "The routing rule proposed the department",
            trigger: ".o_field_widget[name='routing_note']:contains(Tour rule)",
        },
        button("Confirm Department"),
        state("Investigating"),
        tab("Cause and Actions"),
        ...many2one("root_cause_id", "Method"),
        editor("cause_analysis", "Assembly skipped the torque check."),
        button("Start Handling"),
        state("Handling"),
        tab("Handling and Reply"),
        {
            content: "Remedy: repair",
            trigger: ".o_field_widget[name='remedy_type'] select",
            run: 'select "repair"',
        },
        editor("handling_description", "Bearing replaced on site."),
        {
            content: "A repair on site has no quotation: say why",
            trigger: ".o_field_widget[name='remedy_exemption'] textarea",
            run: "edit Repaired on site under warranty.",
        },
        button("Return to Sales-Service"),
        state("Feedback"),
        tab("Handling and Reply"),
        editor("reply", "We replaced the bearing and added a torque check."),
        button("Reply to Customer"),
        state("Replied"),
        button("Close"),
        state("Closed"),
    ],
});
